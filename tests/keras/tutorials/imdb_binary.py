"""Binary classification of movie reviews (the Keras book, chapter 3.4).

The real IMDB set is not available offline, so `load_reviews` builds
synthetic reviews of the same form: lists of word ids below NUM_WORDS, where
positive reviews use some words more often. With Keras' imdb.npz in the
cache, `imdb.load_data(num_words=NUM_WORDS)` gives the real ones.
"""

import numpy as np

from fastnet.keras import layers, models, optimizers

NUM_WORDS = 10000


def load_reviews(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    # The same telling words in every call (train and test alike).
    positive_words, negative_words = np.random.default_rng(42).choice(
        NUM_WORDS, (2, 300), replace=False)
    reviews = []
    for label in labels:
        length = int(rng.integers(40, 200))
        words = list(rng.integers(1, NUM_WORDS, length))
        telling = positive_words if label else negative_words
        words += list(rng.choice(telling, length // 10))
        reviews.append(words)
    return reviews, labels


def vectorize_sequences(sequences, dimension=NUM_WORDS):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


train_data, train_labels = load_reviews(3000, seed=0)
test_data, test_labels = load_reviews(1000, seed=1)

x_train = vectorize_sequences(train_data)
x_test = vectorize_sequences(test_data)
y_train = np.asarray(train_labels).astype("float32")
y_test = np.asarray(test_labels).astype("float32")

model = models.Sequential()
model.add(layers.Dense(16, activation="relu", input_shape=(NUM_WORDS,)))
model.add(layers.Dense(16, activation="relu"))
model.add(layers.Dense(1, activation="sigmoid"))
model.compile(optimizer=optimizers.RMSprop(learning_rate=0.001), loss="binary_crossentropy",
              metrics=["acc"])

x_val = x_train[:1000]
partial_x_train = x_train[1000:]
y_val = y_train[:1000]
partial_y_train = y_train[1000:]

history = model.fit(partial_x_train, partial_y_train, epochs=20, batch_size=512,
                    validation_data=(x_val, y_val))
history_dict = history.history
acc = history_dict["acc"]
val_acc = history_dict["val_acc"]
loss_values = history_dict["loss"]
val_loss_values = history_dict["val_loss"]

results = model.evaluate(x_test, y_test)
predictions = model.predict(x_test)
print("test [loss, acc]:", results)

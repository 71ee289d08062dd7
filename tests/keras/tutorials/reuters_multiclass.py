"""Classifying newswires into 46 topics (the Keras book, chapter 3.5).

Synthetic newswires of the real shapes (the Reuters set is not available
offline); with Keras' reuters.npz cached, `reuters.load_data(num_words=10000)`
gives the real ones. Trained twice: one-hot labels with categorical
cross-entropy, then integer labels with sparse categorical cross-entropy.
"""

import numpy as np

from fastnet.keras import layers, models
from fastnet.keras.utils import to_categorical

NUM_WORDS = 10000
NUM_TOPICS = 46


def load_newswires(n, seed):
    rng = np.random.default_rng(seed)
    topic_words = np.random.default_rng(42).choice(NUM_WORDS, (NUM_TOPICS, 40), replace=False)
    labels = rng.integers(0, NUM_TOPICS, n)
    wires = []
    for label in labels:
        length = int(rng.integers(30, 120))
        words = list(rng.integers(1, NUM_WORDS, length))
        words += list(rng.choice(topic_words[label], length // 4))
        wires.append(words)
    return wires, labels


def vectorize_sequences(sequences, dimension=NUM_WORDS):
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


train_data, train_labels = load_newswires(2000, seed=0)
test_data, test_labels = load_newswires(500, seed=1)
x_train = vectorize_sequences(train_data)
x_test = vectorize_sequences(test_data)

one_hot_train_labels = to_categorical(train_labels)
one_hot_test_labels = to_categorical(test_labels)

model = models.Sequential()
model.add(layers.Dense(64, activation="relu", input_shape=(NUM_WORDS,)))
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(NUM_TOPICS, activation="softmax"))
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

x_val = x_train[:500]
partial_x_train = x_train[500:]
y_val = one_hot_train_labels[:500]
partial_y_train = one_hot_train_labels[500:]

history = model.fit(partial_x_train, partial_y_train, epochs=9, batch_size=512,
                    validation_data=(x_val, y_val))
results = model.evaluate(x_test, one_hot_test_labels)
predictions = model.predict(x_test)
print("one-hot labels, test [loss, accuracy]:", results)

# The same network on integer labels.
y_train = np.array(train_labels)
y_test = np.array(test_labels)
sparse_model = models.Sequential()
sparse_model.add(layers.Dense(64, activation="relu", input_shape=(NUM_WORDS,)))
sparse_model.add(layers.Dense(64, activation="relu"))
sparse_model.add(layers.Dense(NUM_TOPICS, activation="softmax"))
sparse_model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                     metrics=["acc"])
sparse_history = sparse_model.fit(x_train, y_train, epochs=9, batch_size=512)
sparse_results = sparse_model.evaluate(x_test, y_test)
print("integer labels, test [loss, acc]:", sparse_results)

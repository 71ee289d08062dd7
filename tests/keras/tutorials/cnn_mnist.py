"""A small convnet on MNIST (the Keras book, chapter 5.1), with Dropout."""

from fastnet.keras import layers, models
from fastnet.keras.datasets import mnist
from fastnet.keras.utils import to_categorical

EPOCHS = 1
TRAIN_SAMPLES = 2000

model = models.Sequential()
model.add(layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation="relu"))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Flatten())
model.add(layers.Dropout(0.5))
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(10, activation="softmax"))
model.summary()

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()
train_images = train_images[:TRAIN_SAMPLES].reshape((-1, 28, 28, 1)).astype("float32") / 255
test_images = test_images.reshape((-1, 28, 28, 1)).astype("float32") / 255
train_labels = to_categorical(train_labels[:TRAIN_SAMPLES])
test_labels = to_categorical(test_labels)

model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_images, train_labels, epochs=EPOCHS, batch_size=64)
test_loss, test_acc = model.evaluate(test_images, test_labels)
print("test_acc:", test_acc)

"""Fitting sin(x) on [0, 10] with a deep ReLU network, Adam and steps_per_epoch."""

import numpy as np

from fastnet.keras import layers, models, optimizers

EPOCHS = 10  # the tutorial's; the test trains longer

x = np.linspace(0, 10, 1000).reshape(-1, 1)
y = np.sin(x)

model = models.Sequential()
model.add(layers.Dense(256, activation="relu", input_shape=(1,)))
for _ in range(6):
    model.add(layers.Dense(256, activation="relu"))
model.add(layers.Dense(1))
model.compile(optimizer=optimizers.Adam(), loss="mse")

history = model.fit(x, y, steps_per_epoch=10, epochs=EPOCHS, verbose=0)
predicted = model.predict(x, verbose=0)
max_error = float(np.max(np.abs(predicted - y)))
print("max |prediction - sin(x)|:", max_error)

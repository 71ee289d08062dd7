# Chapter 3 style: the activation functions on lists, integer arrays and scalars.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from common.functions import relu, sigmoid, softmax, step_function

x = np.array([-1, 0, 2])  # an integer array, as the chapter's first examples use
print("step", step_function(x), step_function(x).dtype.kind)
print("sigmoid", sigmoid(x), sigmoid(x).dtype)
print("relu", relu(x), relu(x).dtype)
print("relu list", relu([-2.5, 3.0]))
print("sigmoid scalar", sigmoid(0.0))
a = np.array([0.3, 2.9, 4.0])
y = softmax(a)
print("softmax", y, np.sum(y))

# A forward pass through three layers, as the chapter builds it by hand.
X = np.array([1.0, 0.5])
W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
B1 = np.array([0.1, 0.2, 0.3])
Z1 = sigmoid(np.dot(X, W1) + B1)
W2 = np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
B2 = np.array([0.1, 0.2])
Z2 = sigmoid(np.dot(Z1, W2) + B2)
print("Z2", Z2)

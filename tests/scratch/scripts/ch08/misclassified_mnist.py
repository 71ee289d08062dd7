# Chapter 8 style: load trained DeepConvNet parameters and look at the test errors.
# PARAMS (default deep_convnet_params.pkl) and TEST (sample count) redirect it.
import os
import sys

sys.path.append(os.pardir)
import numpy as np
from dataset.mnist import load_mnist
from deep_convnet import DeepConvNet

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
if "TEST" in os.environ:
    x_test, t_test = x_test[:int(os.environ["TEST"])], t_test[:int(os.environ["TEST"])]

network = DeepConvNet()
network.load_params(os.environ.get("PARAMS", "deep_convnet_params.pkl"))

print("calculating test accuracy ... ")
classified_ids = []
acc = 0.0
batch_size = 100
for i in range(int(x_test.shape[0] / batch_size)):
    tx = x_test[i * batch_size:(i + 1) * batch_size]
    tt = t_test[i * batch_size:(i + 1) * batch_size]
    y = np.argmax(network.predict(tx, train_flg=False), axis=1)
    classified_ids.append(y)
    acc += np.sum(y == tt)
acc = acc / x_test.shape[0]
print("test accuracy:" + str(acc))

classified_ids = np.array(classified_ids).flatten()
wrong = np.flatnonzero(classified_ids != t_test[:len(classified_ids)])
print("misclassified:" + str(len(wrong)))
for i in wrong[:10]:
    print(str(i) + ": label " + str(t_test[i]) + ", predicted " + str(classified_ids[i]))

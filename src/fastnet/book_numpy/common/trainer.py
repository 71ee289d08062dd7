"""The Trainer of BOOK_API.md: np.random.choice batches, the book's prints."""

import numpy as np

from .optimizer import SGD, Adam


class Trainer:
    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20,
                 mini_batch_size=100, optimizer="SGD", optimizer_param=None,
                 evaluate_sample_num_per_epoch=None, verbose=True):
        self.network = network
        self.data = (x_train, t_train, x_test, t_test)
        self.batch_size = mini_batch_size
        self.sample = evaluate_sample_num_per_epoch
        self.verbose = verbose
        optimizers = {"sgd": SGD, "adam": Adam}
        self.optimizer = optimizers[optimizer.lower()](**(optimizer_param or {"lr": 0.01}))
        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list, self.train_acc_list, self.test_acc_list = [], [], []

    def train_step(self):
        x_train, t_train, x_test, t_test = self.data
        mask = np.random.choice(self.train_size, self.batch_size)
        grads = self.network.gradient(x_train[mask], t_train[mask])
        self.optimizer.update(self.network.params, grads)
        loss = self.network.loss(x_train[mask], t_train[mask])
        self.train_loss_list.append(loss)
        if self.verbose:
            print("train loss:" + str(loss))
        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            k = self.sample
            if k is not None:
                x_train, t_train, x_test, t_test = x_train[:k], t_train[:k], x_test[:k], t_test[:k]
            self.train_acc_list.append(self.network.accuracy(x_train, t_train))
            self.test_acc_list.append(self.network.accuracy(x_test, t_test))
            if self.verbose:
                print(f"=== epoch:{self.current_epoch}, train acc:{self.train_acc_list[-1]}, "
                      f"test acc:{self.test_acc_list[-1]} ===")
        self.current_iter += 1

    def train(self):
        for _ in range(self.max_iter):
            self.train_step()
        test_acc = self.network.accuracy(self.data[2], self.data[3])
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print("test acc:" + str(test_acc))

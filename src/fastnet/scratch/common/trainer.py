"""The book's common/trainer.py: Trainer runs mini-batch training and records it.

Prints and records exactly what the book's Trainer does:
`train loss:<loss>` after every step (when verbose), and at each epoch
boundary `=== epoch:<e>, train acc:<a>, test acc:<a> ===`; after training
the final test accuracy. Mini-batches are drawn WITH replacement by
`np.random.choice` from NumPy's global generator, so `np.random.seed`
reproduces a run.
"""

import numpy as np

from fastnet.optimizers import BY_NAME as OPTIMIZERS  # the book's optimizer_class_dict

from .optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "Trainer"]


class Trainer:
    """Trainer(network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
    optimizer='SGD', optimizer_param={'lr': 0.01}, evaluate_sample_num_per_epoch=None,
    verbose=True).

    network needs params, gradient(x, t), loss(x, t) and accuracy(x, t).
    optimizer: a name, case-insensitive (sgd, momentum, nesterov, adagrad,
    rmsprop, adam), built with **optimizer_param.
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20,
                 mini_batch_size=100, optimizer="SGD", optimizer_param={"lr": 0.01},  # noqa: B006 (the book's default; never mutated)
                 evaluate_sample_num_per_epoch=None, verbose=True):
        self.network = network
        self.verbose = verbose
        self.x_train = x_train
        self.t_train = t_train
        self.x_test = x_test
        self.t_test = t_test
        self.epochs = epochs
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch

        name = optimizer.lower()
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
        self.optimizer = OPTIMIZERS[name](**optimizer_param)

        self.train_size = x_train.shape[0]
        # A float, as in the book: an epoch ends when current_iter is a
        # multiple of it, which for a non-integer ratio happens only at 0.
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0

        self.train_loss_list = []
        self.train_acc_list = []
        self.test_acc_list = []

    def train_step(self):
        """One mini-batch step; at an epoch boundary, also the accuracies."""
        batch_mask = np.random.choice(self.train_size, self.batch_size)
        x_batch = self.x_train[batch_mask]
        t_batch = self.t_train[batch_mask]

        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)

        # Evaluated again after the update, as the book does.
        loss = self.network.loss(x_batch, t_batch)
        self.train_loss_list.append(loss)
        if self.verbose:
            print("train loss:" + str(loss))

        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            self._record_accuracies()
        self.current_iter += 1

    def _record_accuracies(self):
        x_train, t_train = self.x_train, self.t_train
        x_test, t_test = self.x_test, self.t_test
        n = self.evaluate_sample_num_per_epoch
        if n is not None:
            x_train, t_train = x_train[:n], t_train[:n]
            x_test, t_test = x_test[:n], t_test[:n]
        train_acc = self.network.accuracy(x_train, t_train)
        test_acc = self.network.accuracy(x_test, t_test)
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        if self.verbose:
            print(f"=== epoch:{self.current_epoch}, train acc:{train_acc}, "
                  f"test acc:{test_acc} ===")

    def train(self):
        """max_iter steps, then the test accuracy on the whole test set."""
        for _ in range(self.max_iter):
            self.train_step()

        test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print("test acc:" + str(test_acc))

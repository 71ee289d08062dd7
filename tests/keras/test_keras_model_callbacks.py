"""What fit reports and how it can be stopped: the progress bar's verbose
modes, EarlyStopping and ModelCheckpoint."""

import pytest
from _keras_cases import blobs, classifier

from fastnet.keras import callbacks, optimizers, utils


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)


def test_progress_bar_verbose_modes(capsys):
    x, labels = blobs(n=40)
    y = utils.to_categorical(labels)
    classifier().fit(x, y, epochs=2, batch_size=10, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "4/4 [" in out and "loss:" in out
    classifier().fit(x, y, epochs=2, batch_size=10, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("4/4 - ") and "accuracy:" in lines[0]
    classifier().fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_early_stopping_and_checkpoint(tmp_path):
    x, labels = blobs(n=60)
    y = utils.to_categorical(labels)
    model = classifier()
    model.compile(optimizers.SGD(learning_rate=0.0), "categorical_crossentropy")
    stop = callbacks.EarlyStopping(monitor="loss", patience=2)
    pattern = str(tmp_path / "ckpt-{epoch:02d}.keras")
    check = callbacks.ModelCheckpoint(pattern, monitor="loss", save_best_only=True)
    h = model.fit(x, y, epochs=20, verbose=0, callbacks=[stop, check], shuffle=False)
    assert len(h.history["loss"]) == 3 and stop.stopped_epoch == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01.keras"]
    with pytest.warns(UserWarning, match="Available metrics are: loss"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.EarlyStopping()])

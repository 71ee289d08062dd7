import numpy as np

MAX_DEGREE: int

def xent_jet(y: np.ndarray, labels: np.ndarray, da: np.ndarray, degree: int) -> np.ndarray: ...

"""scikit-learn is an optional extra: say how to get it when it is missing.

`import fastnet` never needs scikit-learn; only `import fastnet.sklearn`
does, and it fails with one ImportError naming the extra to install.
"""

MINIMUM_SKLEARN = (1, 6)  # validate_data, __sklearn_tags__ and expected_failed_checks
INSTALL_HINT = 'pip install "fastnet[sklearn]"'


def _version_tuple(text):
    parts = []
    for part in text.split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def require_sklearn():
    """Import scikit-learn, or raise an ImportError that names fastnet's extra."""
    try:
        import sklearn
    except ImportError as exc:
        raise ImportError(
            f"fastnet.sklearn needs scikit-learn, which is not installed here: {INSTALL_HINT}"
        ) from exc
    if _version_tuple(sklearn.__version__) < MINIMUM_SKLEARN:
        wanted = ".".join(map(str, MINIMUM_SKLEARN))
        raise ImportError(
            f"fastnet.sklearn needs scikit-learn >= {wanted}, found {sklearn.__version__}: "
            f"{INSTALL_HINT} --upgrade"
        )

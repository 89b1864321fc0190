"""wholeplace: a data hub, contextual insight and whole-place budgeting for English councils.

The public layer is small: configuration, the store and the error types. The work lives in the
domain packages (``places``, ``hub``) and the thin edges (``cli``, ``web``).
"""

from wholeplace.errors import (
    ConfigError,
    InputError,
    NotFoundError,
    SourceError,
    ValidationError,
    WholeplaceError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "InputError",
    "NotFoundError",
    "SourceError",
    "ValidationError",
    "WholeplaceError",
    "__version__",
]

"""medscrub for Python: check photos before they leave, and make the share-safe copy.

    import medscrub
    report = medscrub.scan("ward-round.jpg")             # a dict, as `medscrub scan --format json`
    report["verdict"]                                    # "share", "strip", "redact" or "block"
    copy, report = medscrub.clean(open("x.jpg", "rb").read(), name="x.jpg")
    # copy: the share-safe bytes, or None when the photo must not leave

Every call analyses one photo on the calling thread with the GIL released: run many at
once from a thread pool, or spread them over a cluster with Ray or Spark (README:
"Python"). A photo that could not be fully analysed is never "share".
"""

import os as _os
from pathlib import Path as _Path

# Tesseract's OpenMP threads make OCR several times slower when photos already run one
# per core; libgomp reads this when the native module loads, so it is set first.
_os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# The text models and ONNX Runtime travel inside the wheel (scripts/python-wheel copies
# them in); MEDSCRUB_MODELS, when set, still wins.
_BUNDLED_MODELS = _Path(__file__).parent / "models"
if (_BUNDLED_MODELS / "libonnxruntime.so").is_file():
    _os.environ.setdefault("MEDSCRUB_MODELS", str(_BUNDLED_MODELS))

from ._native import __version__, clean, models_dir, policies, scan  # noqa: E402

VERDICTS = ("share", "strip", "redact", "block")

__all__ = ["scan", "clean", "policies", "models_dir", "VERDICTS", "__version__"]

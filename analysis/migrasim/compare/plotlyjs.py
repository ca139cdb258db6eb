"""The plotly.js library, to embed once in a report so that it opens offline.

Debian's python3-plotly ships plotly.js unminified (8.7 MB); esbuild (Debian's
`esbuild`, installed by tools/setup.sh) minifies it to 3.8 MB in about a
second. Without esbuild the library is embedded as shipped, with a warning: the
report works the same, it is only larger.
"""
import functools
import re
import shutil
import subprocess
import warnings

# Syntax the minified library may use: ES2015, which every browser of the last
# years runs; esbuild would otherwise shorten code with newer syntax.
TARGET = "es2015"


class PlotlyJsWarning(UserWarning):
    """plotly.js is embedded unminified (no esbuild)."""


@functools.lru_cache(maxsize=1)
def plotly_js():
    """(JavaScript text, description) of the plotly.js bundle to embed."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    source = get_plotlyjs()
    version = get_plotlyjs_version()
    esbuild = shutil.which("esbuild")
    if esbuild is None:
        warnings.warn(f"esbuild not found: plotly.js {version} is embedded unminified "
                      f"({len(source) / 1e6:.1f} MB; tools/setup.sh installs esbuild)", PlotlyJsWarning)
        return source, f"plotly.js {version}"
    try:
        result = subprocess.run([esbuild, "--minify", f"--target={TARGET}", "--log-level=error"],
                                input=source, capture_output=True, text=True, timeout=300, check=True)
    except (OSError, subprocess.SubprocessError) as problem:
        detail = getattr(problem, "stderr", None) or problem
        warnings.warn(f"esbuild failed ({str(detail).strip()[:300]}): plotly.js {version} is embedded "
                      f"unminified", PlotlyJsWarning)
        return source, f"plotly.js {version}"
    return result.stdout, f"plotly.js {version}, minified by esbuild"


def script_safe(text):
    """JavaScript that cannot end the <script> element it is placed in: "</script"
    and "<!--" occur only in strings or regular expressions, where "<\\/" and
    "<\\!" mean the same."""
    return re.sub(r"<(/script|!--)", lambda m: "<\\" + m.group(1), text, flags=re.IGNORECASE)

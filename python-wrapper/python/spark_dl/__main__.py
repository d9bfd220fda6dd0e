"""``python -m spark_dl``: prints what a shell needs to start Spark with the library jar.

    spark-submit --jars "$(python -m spark_dl --jar)" app.py
    pyspark --jars "$(python -m spark_dl --jar)"
    python -m spark_dl --version
"""

import argparse
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m spark_dl", description="Where the spark-dl jar is.")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--jar", action="store_true", help="print the jar's path, for --jars and spark.jars (default)")
    group.add_argument("--version", action="store_true", help="print the package and jar versions")
    args = parser.parse_args(argv)

    from spark_dl._jar import jar_path
    from spark_dl._version import JAR_VERSION, __version__
    from spark_dl.errors import JarNotFoundError

    if args.version:
        print("spark-dl %s (jar %s)" % (__version__, JAR_VERSION))
        return 0
    try:
        print(jar_path())
    except JarNotFoundError as e:
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

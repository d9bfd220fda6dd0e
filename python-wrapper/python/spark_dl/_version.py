"""The package version and the version of the jar it must run with (the Maven project version)."""

#: The Python distribution's version (PEP 440).
__version__ = "0.1.0.dev0"

#: The Maven version of the library jar this package carries and checks for on the Spark classpath.
JAR_VERSION = "0.1.0-SNAPSHOT"

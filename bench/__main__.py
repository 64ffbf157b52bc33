import sys

from bench.cli import main

try:
    sys.exit(main())
except KeyboardInterrupt as exc:
    print(f"\nbenchmark interrupted ({exc or 'Ctrl+C'}); the server it started has been stopped", file=sys.stderr)
    sys.exit(130)

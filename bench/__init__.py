"""The benchmark behind `make bench` (SPEC section 9): in-process figures with their raw-SQL floor, real HTTP
load against gunicorn, growth to a million notifications, and write costs. Run with `python -m bench --help`."""

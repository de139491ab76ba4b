"""`python -m fleetreg`: the CLI."""

from fleetreg.cli.main import main

main()

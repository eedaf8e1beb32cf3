"""`python -m briefgen` runs the command line."""

from briefgen.entry import main

main()

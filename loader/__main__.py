"""``python -m loader`` runs the ``nicip`` command."""

from loader.cli import main

main()

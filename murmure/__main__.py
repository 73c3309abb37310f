from murmure.cli import run

run()

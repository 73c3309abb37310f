from murmure.cli import app

app(prog_name="murmure")

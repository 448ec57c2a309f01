from overblik.cli import app

app()

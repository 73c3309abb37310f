"""Weekly summaries for managers: figures from Elasticsearch, charts, e-mail, archive.

Importable without Airflow: the `murmure summary` command and the DAGs call the same functions.
"""

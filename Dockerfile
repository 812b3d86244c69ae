# The app image for compose.yaml: the package and its prebuilt wheels, the shipped corpus and
# prompts. Installed in place (-e) so that the settings profiles, prompts and evals folders are
# found beside the code. Models are served by the model container, so none is pulled here.
FROM python:3.11-slim
WORKDIR /srv/assistant
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY prompts ./prompts
COPY settings ./settings
COPY evals ./evals
COPY corpus ./corpus
RUN pip install --no-cache-dir -e . && useradd --system --home /var/lib/assistant assistant \
    && mkdir -p /var/lib/assistant/index && chown -R assistant /var/lib/assistant /srv/assistant/corpus
USER assistant
EXPOSE 7860
CMD ["assistant", "serve"]

# QuizArena server image: `docker build -t quizarena .` (compose.yaml builds it too).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY server server
COPY rooms rooms
COPY persistence persistence
COPY migrations migrations
COPY static static
RUN pip install --no-cache-dir .
ENV QUIZARENA_DATA_DIR=/data
EXPOSE 8000
CMD ["quizarena", "serve", "--host", "0.0.0.0", "--port", "8000"]

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    """Read from the environment; there is no .env.example."""

    database_url: str
    jwt_secret: str
    openai_api_key: str
    model_name: str = "gpt-4o-mini"


settings = Settings()

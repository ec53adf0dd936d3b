from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUOTES_")

    port: int = 8081
    default_author: str = "anonymous"


settings = Settings()

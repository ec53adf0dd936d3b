from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    app_name: str = "tasks"
    log_level: str = "info"


settings = Settings()

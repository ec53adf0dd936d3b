from datetime import datetime
from typing import List, Optional

from pydantic import BaseModel
from sqlmodel import Field, Relationship, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=320)
    notes: List["Note"] = Relationship(back_populates="owner")


class NoteBase(SQLModel):
    title: str = Field(max_length=200)
    body: str = ""


class Note(NoteBase, table=True):
    __tablename__ = "notes"

    id: Optional[int] = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = Field(default_factory=datetime.utcnow, nullable=False)
    owner: Optional[User] = Relationship(back_populates="notes")


class NoteCreate(NoteBase):
    pass


class NoteRead(BaseModel):
    id: int
    title: str
    body: str
    created_at: datetime

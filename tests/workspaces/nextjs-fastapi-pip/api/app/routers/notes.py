from typing import List

from fastapi import APIRouter, HTTPException

from app.models import NoteCreate, NoteRead

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("", response_model=List[NoteRead])
def list_notes() -> List[NoteRead]:
    return []


@router.post("", response_model=NoteRead, status_code=201)
def create_note(note: NoteCreate) -> NoteRead:
    raise HTTPException(status_code=501)


@router.get("/{note_id}", response_model=NoteRead)
def read_note(note_id: int) -> NoteRead:
    raise HTTPException(status_code=404)


@router.delete("/{note_id}", status_code=204)
def delete_note(note_id: int) -> None:
    raise HTTPException(status_code=404)

"""The organisation tree of the city (unit organisasi / unor): OPDs and their sub-units."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SearchText

UNIT_KINDS = ("opd", "kecamatan", "kelurahan", "bidang", "upt", "sekolah", "puskesmas", "bagian")


class OrgUnit(Base):
    __tablename__ = "org_units"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    opd_id: Mapped[str] = mapped_column(String(32), index=True)
    # "/<opd>/<unit>/.../" so that "this unit and everything below it" is one prefix match.
    path: Mapped[str] = mapped_column(SearchText, index=True)
    siasn_unor_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_opd(self) -> bool:
        return self.parent_id is None

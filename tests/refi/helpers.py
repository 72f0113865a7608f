"""Reading back what the REFI-QDA exports wrote, and checking it against the schemas."""

import io
import zipfile
from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

STANDARDS = Path(__file__).resolve().parents[1] / "standards" / "refi"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"


@cache
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(STANDARDS / "Project.xsd"))


@cache
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(STANDARDS / "Codebook.xsd"))


class Project:
    """An exported .qdpx, unzipped, its project.qde validated against Project.xsd."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        assert self.zip.testzip() is None
        self.qde = self.zip.read("project.qde")
        project_schema().validate(io.BytesIO(self.qde))  # raises on any violation
        self.root = etree.fromstring(self.qde)

    def names(self) -> list[str]:
        return self.zip.namelist()

    def sources(self) -> list:
        return self.root.findall(f"{P}Sources/{P}TextSource")

    def text(self, source) -> str:
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        return self.zip.read("sources/" + path.removeprefix("internal://")).decode("utf-8")

    def selections(self) -> list:
        return self.root.findall(f"{P}Sources/{P}TextSource/{P}PlainTextSelection")

    def passage_ids(self) -> list[int]:
        return sorted(int(s.get("name").removeprefix("Passage ")) for s in self.selections())

    def codes(self) -> dict[str, etree._Element]:
        return {code.get("guid"): code for code in self.root.iter(f"{P}Code")}

    def code_names(self, selection) -> list[str]:
        codes = self.codes()
        return sorted(
            codes[ref.get("targetGUID")].get("name")
            for ref in selection.findall(f"{P}Coding/{P}CodeRef")
        )


def qdpx(client, query: str = "") -> tuple:
    response = client.get("/passages/export.qdpx" + query)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    return response, Project(b"".join(response.streaming_content))

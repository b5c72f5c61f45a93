"""Workbooks carrying features as Excel writes them, for the package-level write tests.

Each feature is a function that edits the parts of a workbook made by
:func:`matrix_xl.generate.workbook.build_workbook` the way Excel would have saved it: the
elements in their schema place, the parts, relationships and content types Excel adds.
:func:`feature_workbook` applies any of them; :data:`FEATURES` names them all.

The edits are made here with lxml and zipfile only (not with the code under test).

The second half holds what the write-back tests share: :func:`donor_workbook` (two sheets
as the Summary/History writer makes them), :func:`weekly_write` (one evaluate's write-back
done with :class:`~matrix_xl.xlsx.graft.WorkbookEditor`), and comparisons of zip entries
(:func:`raw_entries`), XML elements (:func:`lost_elements`), rows and defined names.

Example:
    >>> data = feature_workbook(["file_sharing", "comment"])
    >>> "xl/comments1.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    True
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from lxml import etree

from matrix_xl.generate.workbook import build_workbook
from matrix_xl.xlsx import layout as L
from matrix_xl.xlsx.graft import WorkbookEditor
from matrix_xl.xlsx.style import write_text

__all__ = [
    "FEATURES",
    "RATINGS",
    "defined_names",
    "donor_workbook",
    "feature_workbook",
    "lost_elements",
    "parts",
    "raw_entries",
    "rows_of",
    "weekly_write",
]

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT = R + "/"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CTNS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELNS = "http://schemas.openxmlformats.org/package/2006/relationships"

MATRIX, LOG, RUBRIC, GUIDE = (
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/sheet2.xml",
    "xl/worksheets/sheet3.xml",
    "xl/worksheets/sheet6.xml",
)
RATINGS = {"python-advanced": 4, "data-handling": 3, "ml-algorithms": 2}
_NOTES = {
    "python-advanced": "RICHNOTE",
    "data-handling": "_x0041_",
    "ml-algorithms": "C:\\path_x000D_",
}

# CT_Worksheet and CT_Workbook: the order children must come in.
_SHEET_ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]
_BOOK_ORDER = [
    "fileVersion",
    "fileSharing",
    "workbookPr",
    "workbookProtection",
    "bookViews",
    "sheets",
    "functionGroups",
    "externalReferences",
    "definedNames",
    "calcPr",
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
]

Parts = dict[str, bytes]


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _insert(parts: Parts, part: str, fragment: str, order: list[str]) -> None:
    """Insert ``fragment`` (XML, main namespace by default) as a child in schema order."""
    root = _xml(parts[part])
    declared = " ".join(
        f'xmlns{":" + p if p else ""}="{u}"' for p, u in {None: M, "r": R, **NSMAP}.items()
    )
    element = _xml(f"<w {declared}>{fragment}</w>".encode())[0]
    name = etree.QName(element).localname
    later = set(order[order.index(name) + 1 :])
    for i, child in enumerate(root):
        if etree.QName(child).localname in later:
            root.insert(i, element)
            break
    else:
        root.append(element)
    parts[part] = _bytes(root)


NSMAP = {"x14": X14, "xm": XM, "mc": MC, "x14ac": X14AC, "xdr": XDR, "a": A, "c": C}


def _override(parts: Parts, part: str, content_type: str) -> None:
    root = _xml(parts["[Content_Types].xml"])
    etree.SubElement(root, f"{{{CTNS}}}Override", PartName="/" + part, ContentType=content_type)
    parts["[Content_Types].xml"] = _bytes(root)


def _default(parts: Parts, extension: str, content_type: str) -> None:
    root = _xml(parts["[Content_Types].xml"])
    element = etree.Element(f"{{{CTNS}}}Default", Extension=extension, ContentType=content_type)
    root.insert(0, element)
    parts["[Content_Types].xml"] = _bytes(root)


def _relate(parts: Parts, source: str, kind: str, target: str) -> str:
    folder, _, name = source.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    root = _xml(parts.get(rels, f'<Relationships xmlns="{RELNS}"/>'.encode()))
    rel_id = f"rIdF{len(root) + 1}"
    etree.SubElement(root, f"{{{RELNS}}}Relationship", Id=rel_id, Type=kind, Target=target)
    parts[rels] = _bytes(root)
    return rel_id


# -- the features --------------------------------------------------------------------------


def file_sharing(parts: Parts) -> None:
    _insert(
        parts,
        "xl/workbook.xml",
        '<fileSharing readOnlyRecommended="1" userName="Ada Lovelace" algorithmName="SHA-512" '
        'hashValue="aGFzaA==" saltValue="c2FsdA==" spinCount="100000"/>',
        _BOOK_ORDER,
    )


def protected_ranges(parts: Parts) -> None:
    _insert(
        parts,
        MATRIX,
        '<protectedRanges><protectedRange sqref="E8:E28" name="Ratings only"/></protectedRanges>',
        _SHEET_ORDER,
    )


def custom_views(parts: Parts) -> None:
    guid = "{6F1C1E5A-4B1E-4C2A-9A57-1D3B2F0C9E11}"
    _insert(
        parts,
        MATRIX,
        f'<customSheetViews><customSheetView guid="{guid}" scale="90" showGridLines="0">'
        '<selection activeCell="E8" sqref="E8"/></customSheetView></customSheetViews>',
        _SHEET_ORDER,
    )
    _insert(
        parts,
        "xl/workbook.xml",
        f'<customWorkbookViews><customWorkbookView name="Ada - Personal View" guid="{guid}" '
        'personalView="1" windowWidth="1200" windowHeight="800" activeSheetId="1"/>'
        "</customWorkbookViews>",
        _BOOK_ORDER,
    )


def header_text(parts: Parts) -> None:
    root = _xml(parts[MATRIX])
    footer = root.find(f"{{{M}}}headerFooter")
    assert footer is not None
    header = etree.Element(f"{{{M}}}oddHeader")
    header.text = "Ada's growth plan - confidential"
    footer.insert(0, header)
    parts[MATRIX] = _bytes(root)


def app_properties(parts: Parts) -> None:
    root = _xml(parts["docProps/app.xml"])
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    company = root.find(f"{{{ns}}}Company")
    assert company is not None
    company.text = "Analytical Engines Ltd"
    manager = etree.Element(f"{{{ns}}}Manager")
    manager.text = "Charles Babbage"
    root.insert(0, manager)
    base = etree.SubElement(root, f"{{{ns}}}HyperlinkBase")
    base.text = "https://intranet.example/skills/"
    parts["docProps/app.xml"] = _bytes(root)


def custom_properties(parts: Parts) -> None:
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    label = "MSIP_Label_0a1b2c3d-1111-2222-3333-444455556666"
    props = [
        ("ReviewCycle", "<vt:i8>202611</vt:i8>"),
        ("Budget", "<vt:i8>-9007199254740993</vt:i8>"),
        (f"{label}_Enabled", "<vt:lpwstr>true</vt:lpwstr>"),
        (f"{label}_SetDate", "<vt:lpwstr>2026-11-26T09:00:00Z</vt:lpwstr>"),
        (f"{label}_Name", "<vt:lpwstr>Confidential</vt:lpwstr>"),
        (f"{label}_ContentBits", "<vt:lpwstr>0</vt:lpwstr>"),
    ]
    body = "".join(
        f'<property fmtid="{fmtid}" pid="{i}" name="{name}">{value}</property>'
        for i, (name, value) in enumerate(props, start=2)
    )
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Properties xmlns="'
        'http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="'
        f'http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{body}'
        "</Properties>"
    ).encode()
    _override(
        parts,
        "docProps/custom.xml",
        "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    )
    _relate(parts, "", RT + "custom-properties", "docProps/custom.xml")


def ignored_errors(parts: Parts) -> None:
    _insert(
        parts,
        MATRIX,
        '<ignoredErrors><ignoredError sqref="H8:H28" numberStoredAsText="1"/></ignoredErrors>',
        _SHEET_ORDER,
    )


def sort_state(parts: Parts) -> None:
    _insert(
        parts, RUBRIC, '<sortState ref="A4:C8"><sortCondition ref="A4:A8"/></sortState>',
        _SHEET_ORDER,
    )  # fmt: skip


def cell_watches(parts: Parts) -> None:
    _insert(parts, MATRIX, '<cellWatches><cellWatch r="E3"/></cellWatches>', _SHEET_ORDER)


def phonetic(parts: Parts) -> None:
    _insert(parts, MATRIX, '<phoneticPr fontId="1" type="noConversion"/>', _SHEET_ORDER)


def workbook_ext(parts: Parts) -> None:
    _insert(
        parts,
        "xl/workbook.xml",
        '<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" '
        'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
        '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>',
        _BOOK_ORDER,
    )


def excel_namespaces(parts: Parts) -> None:
    """Excel's own root: mc:Ignorable with x14ac, and x14ac:dyDescent on rows (the log)."""
    for part in (LOG, MATRIX):
        text = parts[part].decode()
        text = text.replace(
            f'<worksheet xmlns="{M}" xmlns:r="{R}">',
            f'<worksheet xmlns="{M}" xmlns:r="{R}" xmlns:mc="{MC}" mc:Ignorable="x14ac" '
            f'xmlns:x14ac="{X14AC}">',
            1,
        ).replace(
            '<sheetFormatPr defaultRowHeight="15"/>',
            '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>',
        )
        parts[part] = text.replace('spans="1:4">', 'spans="1:4" x14ac:dyDescent="0.25">').encode()


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\0\0\0\xff\0\0" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


_ANCHOR = (
    '<xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0'
    "</xdr:colOff><xdr:row>{r0}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to>"
    "<xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r1}</xdr:row><xdr:rowOff>0"
    "</xdr:rowOff></xdr:to>{body}<xdr:clientData/></xdr:twoCellAnchor>"
)


def _drawing(parts: Parts, sheet: str, anchors: str) -> str:
    """A drawing part on ``sheet`` holding ``anchors``; returns its name."""
    n = 1
    while f"xl/drawings/drawing{n}.xml" in parts:
        n += 1
    part = f"xl/drawings/drawing{n}.xml"
    parts[part] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<xdr:wsDr xmlns:xdr="{XDR}" '
        f'xmlns:a="{A}">{anchors}</xdr:wsDr>'
    ).encode()
    _override(parts, part, "application/vnd.openxmlformats-officedocument.drawing+xml")
    rel_id = _relate(parts, sheet, RT + "drawing", f"../drawings/drawing{n}.xml")
    _insert(parts, sheet, f'<drawing r:id="{rel_id}"/>', _SHEET_ORDER)
    return part


def image_and_shape(parts: Parts) -> None:
    parts["xl/media/image1.png"] = _png()
    _default(parts, "png", "image/png")
    pic = (
        '<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Picture 1" descr="Team photo"/>'
        '<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
        '<xdr:blipFill><a:blip xmlns:r="{R}" r:embed="rIdImg"/><a:stretch><a:fillRect/>'
        '</a:stretch></xdr:blipFill><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" '
        'cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
        "</xdr:pic>"
    ).replace("{R}", R)
    shape = (
        '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="3" name="Rounded Rectangle 2"/>'
        '<xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext '
        'cx="1905000" cy="476250"/></a:xfrm><a:prstGeom prst="roundRect"><a:avLst/>'
        '</a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr vertOverflow="clip"/><a:lstStyle/>'
        '<a:p><a:r><a:rPr lang="en-GB" sz="1100"/><a:t>Ask me about my plan</a:t></a:r>'
        "</a:p></xdr:txBody></xdr:sp>"
    )
    part = _drawing(
        parts,
        GUIDE,
        _ANCHOR.format(c0=2, r0=1, c1=4, r1=6, body=pic)
        + _ANCHOR.format(c0=2, r0=8, c1=6, r1=11, body=shape),
    )
    root = _xml(f'<Relationships xmlns="{RELNS}"/>'.encode())
    etree.SubElement(
        root, f"{{{RELNS}}}Relationship", Id="rIdImg", Type=RT + "image",
        Target="../media/image1.png",
    )  # fmt: skip
    parts[part.replace("drawings/", "drawings/_rels/") + ".rels"] = _bytes(root)


def own_chart(parts: Parts) -> None:
    parts["xl/charts/chart1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}"><c:chart><c:autoTitleDeleted '
        'val="0"/><c:plotArea><c:layout/><c:barChart><c:barDir val="bar"/><c:grouping '
        'val="clustered"/><c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        "<c:cat><c:strRef><c:f>Matrix!$A$8:$A$12</c:f></c:strRef></c:cat><c:val><c:numRef>"
        '<c:f>Matrix!$E$8:$E$12</c:f></c:numRef></c:val></c:ser><c:axId val="1001"/><c:axId '
        'val="1002"/></c:barChart><c:catAx><c:axId val="1001"/><c:scaling><c:orientation '
        'val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="l"/><c:crossAx val="1002"/>'
        '</c:catAx><c:valAx><c:axId val="1002"/><c:scaling><c:orientation val="minMax"/>'
        '</c:scaling><c:delete val="0"/><c:axPos val="b"/><c:crossAx val="1001"/></c:valAx>'
        '</c:plotArea><c:plotVisOnly val="1"/></c:chart></c:chartSpace>'
    ).encode()
    _override(
        parts, "xl/charts/chart1.xml",
        "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
    )  # fmt: skip
    frame = (
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/>'
        '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="'
        f'{C}"><c:chart xmlns:c="{C}" xmlns:r="{R}" r:id="rIdChart"/></a:graphicData>'
        "</a:graphic></xdr:graphicFrame>"
    )
    part = _drawing(parts, RUBRIC, _ANCHOR.format(c0=5, r0=2, c1=12, r1=18, body=frame))
    root = _xml(f'<Relationships xmlns="{RELNS}"/>'.encode())
    etree.SubElement(
        root, f"{{{RELNS}}}Relationship", Id="rIdChart", Type=RT + "chart",
        Target="../charts/chart1.xml",
    )  # fmt: skip
    parts[part.replace("drawings/", "drawings/_rels/") + ".rels"] = _bytes(root)


def comment(parts: Parts) -> None:
    parts["xl/comments1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<comments xmlns="{M}"><authors><author>Ada</author></authors><commentList>'
        '<comment ref="A8" authorId="0"><text><r><rPr><b/><sz val="9"/><rFont val="Tahoma"/>'
        '</rPr><t>Ada:</t></r><r><rPr><sz val="9"/><rFont val="Tahoma"/></rPr>'
        '<t xml:space="preserve"> ask Grace about this one</t></r></text></comment>'
        "</commentList></comments>"
    ).encode()
    parts["xl/drawings/vmlDrawing1.vml"] = (
        b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:'
        b'office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
        b'<o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t202" '
        b'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke '
        b'joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        b'<v:shape id="_x0000_s1025" type="#_x0000_t202" style="position:absolute;margin-left:'
        b'59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:1;visibility:hidden" '
        b'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" '
        b'color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-'
        b'direction-alt:auto"><div style="text-align:left"/></v:textbox><x:ClientData '
        b'ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>1, 15, 6, 2, 3, 15, '
        b"10, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>7</x:Row><x:Column>0"
        b"</x:Column></x:ClientData></v:shape></xml>"
    )
    _default(parts, "vml", "application/vnd.openxmlformats-officedocument.vmlDrawing")
    _override(
        parts, "xl/comments1.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
    )  # fmt: skip
    _relate(parts, MATRIX, RT + "comments", "../comments1.xml")
    rel_id = _relate(parts, MATRIX, RT + "vmlDrawing", "../drawings/vmlDrawing1.vml")
    _insert(parts, MATRIX, f'<legacyDrawing r:id="{rel_id}"/>', _SHEET_ORDER)


def x14_extensions(parts: Parts) -> None:
    _insert(
        parts,
        MATRIX,
        '<extLst><ext uri="{78C0D931-6437-407D-A8EE-F0AAD7539E65}"><x14:conditionalFormattings>'
        '<x14:conditionalFormatting><x14:cfRule type="dataBar" id="{00000000-000E-0000-0000-'
        '000001000000}"><x14:dataBar minLength="0" maxLength="100" gradient="0"><x14:cfvo '
        'type="num"><xm:f>1</xm:f></x14:cfvo><x14:cfvo type="num"><xm:f>5</xm:f></x14:cfvo>'
        "</x14:dataBar></x14:cfRule><xm:sqref>J8:J28</xm:sqref></x14:conditionalFormatting>"
        '</x14:conditionalFormattings></ext><ext uri="{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}">'
        '<x14:dataValidations count="1"><x14:dataValidation type="list" allowBlank="1" '
        'showInputMessage="1" showErrorMessage="1"><x14:formula1><xm:f>Rubric!$A$4:$A$8</xm:f>'
        "</x14:formula1><xm:sqref>K8:K28</xm:sqref></x14:dataValidation></x14:dataValidations>"
        "</ext></extLst>",
        _SHEET_ORDER,
    )


def pivot(parts: Parts) -> None:
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<pivotCacheDefinition xmlns="{M}" xmlns:r="{R}" refreshOnLoad="1" '
        'createdVersion="6" refreshedVersion="6" minRefreshableVersion="3" recordCount="0">'
        '<cacheSource type="worksheet"><worksheetSource ref="A3:B8" sheet="Rubric"/>'
        '</cacheSource><cacheFields count="2"><cacheField name="Level" numFmtId="0">'
        '<sharedItems/></cacheField><cacheField name="Meaning" numFmtId="0"><sharedItems/>'
        "</cacheField></cacheFields></pivotCacheDefinition>"
    ).encode()
    parts["xl/pivotTables/pivotTable1.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<pivotTableDefinition xmlns="{M}" name="PivotTable1" cacheId="7" dataCaption="Values"'
        ' applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" '
        'applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" '
        'updatedVersion="6" minRefreshableVersion="3" createdVersion="6"><location ref="J3" '
        'firstHeaderRow="1" firstDataRow="1" firstDataCol="0"/><pivotFields count="2">'
        '<pivotField showAll="0"/><pivotField showAll="0"/></pivotFields></pivotTableDefinition>'
    ).encode()
    base = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    _override(parts, "xl/pivotCache/pivotCacheDefinition1.xml", base + "pivotCacheDefinition+xml")
    _override(parts, "xl/pivotTables/pivotTable1.xml", base + "pivotTable+xml")
    cache_rel = _relate(
        parts,
        "xl/workbook.xml",
        RT + "pivotCacheDefinition",
        "pivotCache/pivotCacheDefinition1.xml",
    )
    _relate(
        parts, "xl/pivotTables/pivotTable1.xml", RT + "pivotCacheDefinition",
        "../pivotCache/pivotCacheDefinition1.xml",
    )  # fmt: skip
    _relate(parts, GUIDE, RT + "pivotTable", "../pivotTables/pivotTable1.xml")
    _insert(
        parts, "xl/workbook.xml",
        f'<pivotCaches><pivotCache cacheId="7" r:id="{cache_rel}"/></pivotCaches>', _BOOK_ORDER,
    )  # fmt: skip


def macros(parts: Parts) -> None:
    """An .xlsm: the macro-enabled workbook type and a VBA project."""
    parts["xl/vbaProject.bin"] = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504)
    _default(parts, "bin", "application/vnd.ms-office.vbaProject")
    text = (
        parts["[Content_Types].xml"]
        .decode()
        .replace(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    )
    parts["[Content_Types].xml"] = text.encode()
    _relate(
        parts, "xl/workbook.xml", "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
        "vbaProject.bin",
    )  # fmt: skip


def rich_text(parts: Parts) -> None:
    """The gap note of python-advanced: a plain run, then a bold red one."""
    rich = (
        '<si><r><t xml:space="preserve">Read </t></r><r><rPr><b/><sz val="11"/><color '
        'rgb="FFFF0000"/><rFont val="Calibri"/><family val="2"/><scheme val="minor"/></rPr>'
        "<t>Fluent Python</t></r></si>"
    )
    text = parts["xl/sharedStrings.xml"].decode().replace("<si><t>RICHNOTE</t></si>", rich)
    parts["xl/sharedStrings.xml"] = text.encode()


def out_of_range_date(parts: Parts) -> None:
    """A date-styled number Excel cannot show as a date, in a column of the person's own."""
    styles = _xml(parts["xl/styles.xml"])
    xfs = styles.find(f"{{{M}}}cellXfs")
    assert xfs is not None
    etree.SubElement(
        xfs, f"{{{M}}}xf", numFmtId="14", fontId="0", fillId="0", borderId="0", xfId="0",
        applyNumberFormat="1",
    )  # fmt: skip
    xfs.set("count", str(len(xfs)))
    parts["xl/styles.xml"] = _bytes(styles)
    sheet = _xml(parts[MATRIX])
    row = sheet.find(f"{{{M}}}sheetData/{{{M}}}row[@r='8']")
    assert row is not None
    for ref, value in (("J8", "3000000"), ("K8", "-5")):
        cell = etree.SubElement(row, f"{{{M}}}c", r=ref, s=str(len(xfs) - 1))
        etree.SubElement(cell, f"{{{M}}}v").text = value
    parts[MATRIX] = _bytes(sheet)


def _own_sheet(parts: Parts, name: str) -> None:
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in parts:
        n += 1
    part = f"xl/worksheets/sheet{n}.xml"
    parts[part] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{M}"><dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/>'
        '</sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData><row r="1"><c r="A1" '
        f't="inlineStr"><is><t>my own {name}</t></is></c></row></sheetData><pageMargins '
        'left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    ).encode()
    _override(
        parts, part, "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    )
    rel_id = _relate(parts, "xl/workbook.xml", RT + "worksheet", f"worksheets/sheet{n}.xml")
    book = _xml(parts["xl/workbook.xml"])
    sheets = book.find(f"{{{M}}}sheets")
    assert sheets is not None
    ids = [int(s.get("sheetId", "0")) for s in sheets]
    element = etree.SubElement(sheets, f"{{{M}}}sheet", name=name, sheetId=str(max(ids) + 1))
    element.set(f"{{{R}}}id", rel_id)
    parts["xl/workbook.xml"] = _bytes(book)


def own_summary(parts: Parts) -> None:
    _own_sheet(parts, "summary")


def own_history(parts: Parts) -> None:
    _own_sheet(parts, "History")


def custom_xml(parts: Parts) -> None:
    parts["customXml/item1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n<p:properties xmlns:p="'
        b'http://schemas.microsoft.com/office/2006/metadata/properties"><documentManagement>'
        b"<Department>Data</Department></documentManagement></p:properties>"
    )
    parts["customXml/itemProps1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n<ds:datastoreItem ds:itemID='
        b'"{1B2C3D4E-0000-1111-2222-333344445555}" xmlns:ds="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>'
    )
    _override(
        parts, "customXml/itemProps1.xml",
        "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
    )  # fmt: skip
    _relate(parts, "customXml/item1.xml", RT + "customXmlProps", "itemProps1.xml")
    _relate(parts, "xl/workbook.xml", RT + "customXml", "../customXml/item1.xml")


FEATURES: dict[str, Callable[[Parts], None]] = {
    f.__name__: f
    for f in (
        file_sharing, protected_ranges, custom_views, header_text, app_properties,
        custom_properties, ignored_errors, sort_state, cell_watches, phonetic, workbook_ext,
        excel_namespaces, image_and_shape, own_chart, comment, x14_extensions, pivot, macros,
        rich_text, out_of_range_date, own_summary, own_history, custom_xml,
    )
}  # fmt: skip


def feature_workbook(features: Iterable[str] = (), *, created: date = date(2026, 11, 2)) -> bytes:
    """A matrix workbook (a few ratings and notes filled) carrying ``features``.

    Args:
        features: names from :data:`FEATURES`, applied in the order given.
        created: the workbook's creation date (equal arguments give equal bytes).

    Returns:
        The .xlsx (or, with ``macros``, .xlsm) bytes, zipped as Excel zips: deflated parts
        dated 1980-01-01, ``[Content_Types].xml`` first.
    """
    data = build_workbook(
        owner="Ada", role="ML Engineer", created=created, ratings=RATINGS, notes=_NOTES
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    for name in features:
        FEATURES[name](parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["[Content_Types].xml", *(p for p in parts if p != "[Content_Types].xml")]:
            archive.writestr(
                zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), parts[name], zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


# -- the write-back under test, and comparisons ---------------------------------------------

OWNED_KEY = "owned_sheets"
DONOR_TEXTS = ("Title =1+1", "merged _x0041_ <r>x</r>", "C:\\path_x000D_", "Ünïcødé ✓")


def donor_workbook(summary: str, history: str, texts: Sequence[str] = DONOR_TEXTS) -> bytes:
    """Two sheets as the Summary/History writer makes them: formats, a merged range, an
    internal link (``location``), a chart of the second sheet, print titles and area."""
    import xlsxwriter  # heavy: only the tests that graft build a donor

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
    first, second = book.add_worksheet(summary), book.add_worksheet(history)
    bold = book.add_format({"bold": True, "bg_color": "#FFC7CE", "border": 1})
    first.set_column(0, 0, 30, book.add_format({"font_color": "#1F4E79"}))
    for row, text in enumerate(texts):
        write_text(first, row, 0, text, bold if row == 0 else None)
    first.merge_range(len(texts), 0, len(texts), 3, "merged", book.add_format({"italic": True}))
    quoted = "'" + history.replace("'", "''") + "'"
    first.write_url(len(texts) + 1, 0, f"internal:{quoted}!A1", string="to the history")
    first.write_number(len(texts) + 2, 0, 0.75, book.add_format({"num_format": "0.0%"}))
    first.conditional_format(
        len(texts) + 2, 0, len(texts) + 2, 0,
        {"type": "cell", "criteria": ">", "value": 0.5,
         "format": book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})},
    )  # fmt: skip
    second.write_row(0, 0, ["Week", "Points"], bold)
    for week in range(1, 6):
        second.write_string(week, 0, f"2026-W{week:02d}")
        second.write_number(week, 1, week * 3, book.add_format({"num_format": "0.00"}))
    chart = book.add_chart({"type": "line"})
    chart.add_series(
        {"categories": f"={quoted}!$A$2:$A$6", "values": f"={quoted}!$B$2:$B$6", "name": "Points"}
    )
    first.insert_chart(len(texts) + 4, 0, chart)
    first.repeat_rows(0)
    first.print_area(0, 0, len(texts) + 20, 4)
    second.repeat_rows(0)
    book.close()
    return out.getvalue()


def weekly_write(data: bytes, week: int, texts: Sequence[str] = DONOR_TEXTS) -> bytes:
    """One evaluate's write-back: replace our sheets, log a row, record what we own."""
    editor = WorkbookEditor(data)
    owned = editor.meta().get(OWNED_KEY, "")
    editor.remove_sheets([name for name in owned.split("\t") if name])
    summary = editor.free_sheet_name(L.SUMMARY)
    history = editor.free_sheet_name(L.HISTORY)
    editor.graft_sheets(donor_workbook(summary, history, texts), position=1)
    editor.append_rows(
        L.LOG,
        [[date(2026, 11, 2 + week), "Python (advanced)", f"Self-rating {week} -> 4", "+1 =x"]],
        heights=[30.0],
    )
    editor.set_meta({OWNED_KEY: f"{summary}\t{history}"})
    editor.set_active_sheet(summary)
    return editor.to_bytes()


def raw_entries(data: bytes) -> dict[str, tuple[object, ...]]:
    """Each entry's stored form: method, date, CRC, sizes, flags and compressed bytes."""
    entries = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            offset = info.header_offset
            name_len, extra_len = (
                int.from_bytes(data[offset + 26 : offset + 28], "little"),
                (int.from_bytes(data[offset + 28 : offset + 30], "little")),
            )
            start = offset + 30 + name_len + extra_len
            entries[info.filename] = (
                info.compress_type, info.date_time, info.CRC, info.file_size,
                info.compress_size, info.flag_bits, data[start : start + info.compress_size],
            )  # fmt: skip
    return entries


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


VOLATILE = frozenset(
    {"localSheetId", "activeTab", "firstSheet", "tabSelected", "count", "size", "ref", "spans"}
)


def _signature(element: etree._Element, ignore_text: bool) -> tuple[object, ...]:
    attrs = tuple(sorted((k, v) for k, v in element.attrib.items() if k not in VOLATILE))
    text = "" if ignore_text else (element.text or "").strip()
    return (element.tag, attrs, text)


def lost_elements(old: bytes, new: bytes, ignore_text: Iterable[str] = ()) -> list[object]:
    """Elements of ``old`` not in ``new`` (as a multiset; volatile attributes aside)."""
    skip = set(ignore_text)

    def count(data: bytes) -> Counter[tuple[object, ...]]:
        root = etree.fromstring(data)
        return Counter(
            _signature(e, etree.QName(e).localname in skip)
            for e in root.iter()
            if isinstance(e.tag, str)
        )

    return list((count(old) - count(new)).elements())


_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)


def rows_of(sheet: bytes) -> list[bytes]:
    """The ``<row>`` elements of a sheet, as bytes (a test-side reading of our own data)."""
    return _ROW.findall(sheet)


def defined_names(book: bytes) -> set[tuple[str, str, str]]:
    """(name, sheet the name is local to, formula) of every defined name."""
    root = etree.fromstring(book)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    sheets = [s.get("name", "") for s in root.findall("m:sheets/m:sheet", ns)]
    found = set()
    for name in root.findall("m:definedNames/m:definedName", ns):
        local = name.get("localSheetId")
        found.add((name.get("name", ""), sheets[int(local)] if local else "", name.text or ""))
    return found

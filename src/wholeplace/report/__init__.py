"""The place profile's outputs: chart scenes (SVG for the web, vector drawings for the PDF), the
PDF and the XLSX workbook. Everything here renders data built by
:func:`wholeplace.insight.profile.build.build_profile`; nothing here reads the hub."""

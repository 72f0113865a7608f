"""REFI-QDA (QDA-XML 1.0) exports: `.qdpx` projects and `.qdc` codebooks, for NVivo,
ATLAS.ti, MAXQDA and QualCoder. Read side only; the codebook import is an annotations
action (`annotations.actions.codebook`)."""

"""Staff review: the week's least-sure mentions out as a spreadsheet, corrections back in."""

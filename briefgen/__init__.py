"""briefgen: turn structured report records into honest situation briefs."""

__version__ = "0.1.0"

# Collect garbage every 50,000 allocations, not Python's 700: a desk's records and compositions, and a PDF
# render's boxes, are objects by the hundred thousand that mostly live as long as the process (`briefgen.entry`
# and the PDF workers' fork server, `briefgen.pdf.zygote`, set it).
GC_THRESHOLDS = (50_000, 20, 100)

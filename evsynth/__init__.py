"""Evidence synthesis for image-guided palliative treatment of bone metastases.

The pipeline, one module per stage: load -> validate -> pool -> cite -> render -> write.
"""

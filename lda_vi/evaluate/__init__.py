"""lda_vi.evaluate"""

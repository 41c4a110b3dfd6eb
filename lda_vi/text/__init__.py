"""lda_vi.text"""

"""lda_vi.model"""

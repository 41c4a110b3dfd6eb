"""lda_vi.report"""

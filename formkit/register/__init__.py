"""The secretariat's register: its model, its workbook layout, loading, checking and writing it."""

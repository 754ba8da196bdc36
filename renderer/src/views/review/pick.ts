export type Pick = 'none' | 'picked' | 'rejected';

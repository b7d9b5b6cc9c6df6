import { openStore } from '../../src/store/open-store.js';
import { storeConformance } from './store-conformance.js';

// `--no-db`: incidents in memory, the rest in SQLite :memory:.
storeConformance('--no-db (memory incidents)', () => openStore({ noDb: true }));

import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { storageContract } from './conformance.js';

storageContract('memory', () => createMemoryStorage(), { atomicTransactions: true });

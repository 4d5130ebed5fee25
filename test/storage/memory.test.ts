import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { storageContract } from './contract.js';

storageContract('memory', () => createMemoryStorage(), { atomicTransactions: false });

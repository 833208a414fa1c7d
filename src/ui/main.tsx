import '../workers/protocol'; // first: it configures zod for the UI thread
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { faults } from './engine-client';
import './styles.css';

Object.assign(window, { advpruneFaults: faults });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

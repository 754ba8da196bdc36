import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApiClient } from './bridge/client';
import { connect } from './bridge/connect';
import { ClientContext, DesktopContext, MediaContext, StoreContext } from './store/context';
import { createAppStore, followEngineEvents } from './store/store';
import './styles.css';

const connection = connect();
const client = new ApiClient(connection.bridge);
const store = createAppStore(client);
followEngineEvents(client, store);

// (Re)load what the engine holds whenever the link to it (re)opens; events keep it current after.
const loadAll = (): void => {
  void store.getState().loadShoots();
  void store.getState().loadHotFolders();
  void store.getState().loadSettings();
  // Back where the user was before a reload (or a reconnect): the open shoot's photos, fresh.
  const shootId = store.getState().openShootId;
  if (shootId) void store.getState().loadShootContent(shootId);
};
if (connection.kind === 'electron') {
  store.getState().setConnection('open');
  loadAll();
} else {
  connection.onState((state) => {
    store.getState().setConnection(state);
    if (state === 'open') loadAll();
  });
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <ClientContext.Provider value={client}>
        <MediaContext.Provider value={connection.mediaUrl}>
          <DesktopContext.Provider value={window.shootline?.desktop ?? null}>
            <App />
          </DesktopContext.Provider>
        </MediaContext.Provider>
      </ClientContext.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);

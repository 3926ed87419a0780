/** The editor page: library + layers | canvas + inspector | settings, generation, result, jobs, history. */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  commandForKey,
  defaultCanvas,
  generateBlocker,
  loadProject,
  saveProject,
  snapCanvasSide,
  type ModelBudgetLimits,
} from '@contextgen/editor';
import { ApiError, getHealth, getModels, setToken, toDataUrl, type ModelInfo } from './api.ts';
import { AssetLibrary } from './components/AssetLibrary.tsx';
import { CanvasView } from './components/CanvasView.tsx';
import { GeneratePanel } from './components/GeneratePanel.tsx';
import { HistoryPanel } from './components/HistoryPanel.tsx';
import { ImportDialog, type ImportRequest } from './components/ImportDialog.tsx';
import { Inspector } from './components/Inspector.tsx';
import { JobsPanel } from './components/JobsPanel.tsx';
import { LayerList } from './components/LayerList.tsx';
import { ResultView } from './components/ResultView.tsx';
import { SettingsPanel } from './components/SettingsPanel.tsx';
import { Toolbar } from './components/Toolbar.tsx';
import { download } from './images.ts';
import {
  dismissOtherTab,
  editor,
  loadOtherTab,
  restoredDraft,
  useEditorState,
  useStoreNotice,
} from './store.ts';
import { useToasts } from './toasts.ts';
import { useUploads } from './uploads.ts';
import { useGeneration } from './useGeneration.ts';

const APPLE = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable)
  );
}

/** The budget limits of a model as `/api/models` reports them. */
function budgetLimits(m: ModelInfo): ModelBudgetLimits {
  return { tokenSize: m.tokenSize, ...m.limits };
}

export function App() {
  const state = useEditorState();
  const notice = useStoreNotice();
  const [model, setModel] = useState<ModelInfo>();
  const [connection, setConnection] = useState<string>('Connecting to the server…');
  const [needToken, setNeedToken] = useState(false);
  const toasts = useToasts();
  const note = toasts.add;
  const [shown, setShown] = useState<string>();
  const [importing, setImporting] = useState<ImportRequest>();
  const limits = model ? budgetLimits(model) : undefined;
  const gen = useGeneration(model?.name, limits);
  const uploads = useUploads(note);
  const resumed = useRef(false);

  const connect = useCallback(async () => {
    try {
      await getHealth();
      const { models, default: name } = await getModels();
      const m = models.find((x) => x.name === name) ?? models[0];
      setModel(m);
      setNeedToken(false);
      setConnection('');
      if (m) {
        // Fit the document to the model once at start-up: a new document takes the model's
        // defaults (a canvas with room for its references); a restored one is only made valid.
        const l = budgetLimits(m);
        const s = editor.state.settings;
        const fresh = !restoredDraft && editor.state.instances.length === 0;
        const size = fresh
          ? defaultCanvas(l)
          : { width: snapCanvasSide(s.width, l), height: snapCanvasSide(s.height, l) };
        if (!editor.canUndo) {
          editor.reset({
            ...editor.state,
            settings: { ...s, ...(fresh ? m.defaults : {}) },
            view: { ...editor.state.view, grid: m.tokenSize },
          });
          editor.dispatch('resizeCanvas', size);
          editor.reset(editor.state); // the fit is not an edit: nothing to undo
        }
      }
      if (!resumed.current) {
        resumed.current = true;
        for (const n of await gen.resume()) note(n);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setNeedToken(true);
        setConnection(err.message);
      } else setConnection((err as Error).message);
    }
  }, [note, gen.resume]);

  useEffect(() => void connect(), [connect]);
  useEffect(() => {
    if (gen.state.resultId) setShown(gen.state.resultId);
  }, [gen.state.resultId]);

  // A file dropped anywhere but on a drop target must not navigate the tab away.
  useEffect(() => {
    const stop = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  const save = useCallback(async () => {
    try {
      const file = await saveProject(editor.state, toDataUrl);
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(file)], { type: 'application/json' }),
      );
      download('contextgen-project.json', url);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      note(`Saving failed: ${(err as Error).message}`);
    }
  }, [note]);

  const open = useCallback(
    async (f: File) => {
      try {
        editor.reset(loadProject(JSON.parse(await f.text())));
        setShown(undefined);
      } catch (err) {
        note(`${f.name}: ${(err as Error).message}`);
      }
    },
    [note],
  );

  const importSegmentInfo = useCallback(
    async (files: FileList) => {
      const list = [...files];
      const json = list.find((f) => f.name.endsWith('.json'));
      if (!json) return note('Pick segment_info.json together with its reference images');
      try {
        setImporting({
          name: json.name,
          json: JSON.parse(await json.text()) as unknown,
          images: list.filter((x) => x !== json),
        });
      } catch (err) {
        note(`${json.name}: ${(err as Error).message}`);
      }
    },
    [note],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const command = commandForKey(e, APPLE);
      if (!command) return;
      const typing = isTyping(e.target);
      if (typing && command !== 'generate' && command !== 'saveProject') return;
      if (importing) return;
      e.preventDefault();
      if (command === 'undo') editor.undo();
      else if (command === 'redo') editor.redo();
      else if (command === 'generate') void gen.generate();
      else if (command === 'saveProject') void save();
      else editor.dispatch(command as 'selectAll');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [gen, save, importing]);

  const disabledReason = generateBlocker(state, limits);
  const entry = state.results.find((r) => r.id === shown) ?? state.results[0];

  return (
    <div className="app">
      <Toolbar
        state={state}
        model={model}
        onOpen={(f) => void open(f)}
        onSave={() => void save()}
        onImport={(f) => void importSegmentInfo(f)}
      />
      {model?.untrained && (
        <div className="banner warn" data-testid="untrained-banner">
          <strong>Untrained model:</strong> {model.warning}
        </div>
      )}
      {notice.otherTab && (
        <div className="banner warn" data-testid="other-tab" role="status">
          This project was also edited in another tab (saved{' '}
          {new Date(notice.otherTab.savedAt).toLocaleTimeString()}). Both versions are kept.{' '}
          <button onClick={loadOtherTab}>Load the other tab’s version</button>{' '}
          <button onClick={dismissOtherTab}>Keep mine</button>
        </div>
      )}
      {connection && (
        <div className="banner error">
          {connection}
          {needToken && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                setToken(String(new FormData(e.currentTarget).get('token') ?? ''));
                void connect();
              }}
            >
              <input name="token" type="password" placeholder="CONTEXTGEN_TOKEN" />{' '}
              <button className="primary">Connect</button>
            </form>
          )}
        </div>
      )}
      <main className="columns">
        <div className="left">
          <AssetLibrary
            assets={state.assets}
            onError={note}
            onFiles={uploads.addFiles}
            pending={uploads.pending}
          />
          <LayerList state={state} />
        </div>
        <div className="center">
          <CanvasView state={state} onFiles={uploads.addFiles} />
          <Inspector state={state} />
        </div>
        <aside className="side">
          <SettingsPanel state={state} model={model} limits={limits} />
          <GeneratePanel
            gen={gen.state}
            state={state}
            limits={limits}
            onGenerate={() => void gen.generate()}
            onCancel={() => void gen.cancel()}
            onDismiss={gen.dismiss}
            disabledReason={disabledReason}
          />
          <ResultView entry={entry} />
          <JobsPanel results={state.results} phase={gen.state.phase} onFollow={gen.attach} />
          <HistoryPanel results={state.results} current={entry?.id} onShow={setShown} />
        </aside>
      </main>
      {importing && (
        <ImportDialog
          request={importing}
          state={state}
          onDone={(message) => {
            setImporting(undefined);
            if (message) note(message);
          }}
        />
      )}
      {(toasts.items.length > 0 || notice.problem) && (
        <div className="toasts" role="status" data-testid="toasts">
          {[...toasts.items, ...(notice.problem ? [notice.problem] : [])].map((m) => (
            <div key={m} className="toast" onClick={() => toasts.remove(m)}>
              {m}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

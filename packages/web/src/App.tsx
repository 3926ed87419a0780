/** The editor page: library | canvas + inspector | settings, generation, result, history. */
import { useCallback, useEffect, useState } from 'react';
import {
  commandForKey,
  importSegmentInfoToEditor,
  loadProject,
  saveProject,
  type ProvidedImage,
} from '@contextgen/editor';
import { ApiError, getHealth, getModels, setToken, toDataUrl, type ModelInfo } from './api.ts';
import { AssetLibrary } from './components/AssetLibrary.tsx';
import { CanvasView } from './components/CanvasView.tsx';
import { GeneratePanel } from './components/GeneratePanel.tsx';
import { HistoryPanel } from './components/HistoryPanel.tsx';
import { Inspector } from './components/Inspector.tsx';
import { ResultView } from './components/ResultView.tsx';
import { SettingsPanel } from './components/SettingsPanel.tsx';
import { Toolbar } from './components/Toolbar.tsx';
import { download, imageSize, readFileAsDataUrl } from './images.ts';
import { autosaveProblem, editor, useEditorState } from './store.ts';
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

export function App() {
  const state = useEditorState();
  const [model, setModel] = useState<ModelInfo>();
  const [connection, setConnection] = useState<string>('Connecting to the server…');
  const [needToken, setNeedToken] = useState(false);
  const [messages, setMessages] = useState<string[]>([]);
  const [shown, setShown] = useState<string>();
  const gen = useGeneration(model?.name);
  const note = useCallback(
    (m: string) => setMessages((ms) => [...ms.filter((x) => x !== m), m].slice(-4)),
    [],
  );

  const connect = useCallback(async () => {
    try {
      await getHealth();
      const { models, default: name } = await getModels();
      const m = models.find((x) => x.name === name) ?? models[0];
      setModel(m);
      setNeedToken(false);
      setConnection('');
      if (m) {
        // Fit the document to the model once at start-up; not an edit, so not in undo history.
        const s = editor.state.settings;
        const clamp = (v: number) =>
          Math.min(
            m.limits.maxSide,
            Math.max(m.limits.minSide, Math.round(v / m.tokenSize) * m.tokenSize),
          );
        const fresh = editor.state.results.length === 0 && editor.state.instances.length === 0;
        const settings = {
          ...s,
          width: clamp(s.width),
          height: clamp(s.height),
          ...(fresh ? m.defaults : {}),
        };
        if (!editor.canUndo)
          editor.reset({
            ...editor.state,
            settings,
            view: { ...editor.state.view, grid: m.tokenSize },
          });
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setNeedToken(true);
        setConnection(err.message);
      } else setConnection((err as Error).message);
    }
  }, []);

  useEffect(() => void connect(), [connect]);
  useEffect(() => {
    if (gen.state.resultId) setShown(gen.state.resultId);
  }, [gen.state.resultId]);

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
        const images = new Map<string, ProvidedImage>();
        for (const f of list.filter((x) => x !== json)) {
          const src = await readFileAsDataUrl(f);
          images.set(f.name, { src, ...(await imageSize(src)) });
        }
        const { state: imported, missing } = importSegmentInfoToEditor(
          JSON.parse(await json.text()),
          images,
        );
        editor.reset({ ...imported, results: editor.state.results });
        if (missing.length > 0)
          note(`Not provided, so those boxes have no reference: ${missing.join(', ')}`);
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
      e.preventDefault();
      if (command === 'undo') editor.undo();
      else if (command === 'redo') editor.redo();
      else if (command === 'generate') void gen.generate();
      else if (command === 'saveProject') void save();
      else editor.dispatch(command as 'selectAll');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [gen, save]);

  const maxInstances = model?.limits.maxInstances ?? Infinity;
  const disabledReason = !model
    ? 'Not connected'
    : state.instances.length > maxInstances
      ? `${state.instances.length} boxes; this model takes at most ${maxInstances}`
      : undefined;
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
        <AssetLibrary assets={state.assets} onError={note} />
        <div className="center">
          <CanvasView state={state} />
          <Inspector state={state} />
        </div>
        <aside className="side">
          <SettingsPanel state={state} model={model} />
          <GeneratePanel
            gen={gen.state}
            onGenerate={() => void gen.generate()}
            onCancel={() => void gen.cancel()}
            onDismiss={gen.dismiss}
            disabledReason={disabledReason}
          />
          <ResultView entry={entry} />
          <HistoryPanel results={state.results} current={entry?.id} onShow={setShown} />
        </aside>
      </main>
      {(messages.length > 0 || autosaveProblem) && (
        <div className="toasts" role="status">
          {[...messages, ...(autosaveProblem ? [autosaveProblem] : [])].map((m) => (
            <div
              key={m}
              className="toast"
              onClick={() => setMessages((ms) => ms.filter((x) => x !== m))}
            >
              {m}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

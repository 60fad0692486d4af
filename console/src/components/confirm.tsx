import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A modal confirmation (native <dialog>: focus trapped, Esc cancels; focus starts on Cancel for a destructive one). */
export function Confirm({ title, children, confirmLabel, danger, onConfirm, onCancel }: {
  title: string; children: ComponentChildren; confirmLabel: string; danger?: boolean; onConfirm: () => void; onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current!;
    if (!el.open) el.showModal();
    const cancel = (e: Event) => { e.preventDefault(); onCancel(); };
    el.addEventListener('cancel', cancel);
    return () => el.removeEventListener('cancel', cancel);
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="confirm-title">
      <h2 id="confirm-title">{title}</h2>
      <div class="confirm-body">{children}</div>
      <div class="actions">
        {/* A destructive action starts on Cancel: Enter on an opened purge dialog does not delete. */}
        <button type="button" onClick={onCancel} autofocus={danger}>Cancel</button>
        <button type="button" class={danger ? 'danger' : 'primary'} onClick={onConfirm} autofocus={!danger}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}

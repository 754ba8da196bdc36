/** A section whose engine side has not landed yet: says plainly what will be here. */
export function EmptySectionView(props: { id: string; title: string; text: string }): React.JSX.Element {
  return (
    <section className="view" aria-labelledby={`${props.id}-title`}>
      <header className="view-header">
        <h1 id={`${props.id}-title`}>{props.title}</h1>
      </header>
      <p className="empty">{props.text}</p>
    </section>
  );
}
